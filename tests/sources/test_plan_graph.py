"""The routes a plan takes through a graph of tables, without a database."""

from __future__ import annotations

import pytest

from pledge.declaration.model import Source
from pledge.errors import PledgeError
from pledge.sources.plan_graph import Edge, Root, Routes, Seed, find_routes, source_edges
from pledge.sources.schema import ForeignKey, SchemaInfo, TableInfo

ROOT = Root("customers", (Seed("email", "customers", ("email",), kind="email"),))


def fk(child: str, column: str, parent: str, **flags: bool) -> Edge:
    return Edge(child, (column,), parent, ("id",), constraint=True, **flags)


def walk(*edges: Edge, people: tuple[str, ...] = ("customers",), depth: int = 6) -> Routes:
    return find_routes([ROOT], edges, set(people), depth, 100)


def test_a_cycle_ends_because_no_route_visits_a_table_twice() -> None:
    found = walk(
        fk("orders", "customer_id", "customers"),
        fk("shipments", "order_id", "orders"),
        fk("orders", "last_shipment_id", "shipments"),  # orders <-> shipments
    )
    assert {t: [r.tables for r in routes] for t, routes in found.by_table.items()} == {
        "customers": [("customers",)],
        "orders": [("customers", "orders")],
        "shipments": [("customers", "orders", "shipments")],
    }


def test_routes_beyond_the_depth_limit_are_reported() -> None:
    edges = (
        fk("orders", "customer_id", "customers"),
        fk("order_lines", "order_id", "orders"),
        fk("returns", "line_id", "order_lines"),
    )
    found = walk(*edges, depth=2)
    assert set(found.by_table) == {"customers", "orders", "order_lines"}
    assert found.beyond_limit == {"returns"}
    assert walk(*edges, depth=3).beyond_limit == set()


def test_a_foreign_key_alone_never_leads_to_another_person() -> None:
    found = walk(
        fk("customers", "referred_by", "customers"),
        fk("customers", "account_manager_id", "employees"),
        fk("employees", "mentor_customer_id", "customers"),
        people=("customers", "employees"),
    )
    assert set(found.by_table) == {"customers"}


def test_a_declared_link_says_the_rows_have_the_same_person() -> None:
    link = Edge("profiles", ("customer_id",), "customers", ("id",), declared=True)
    found = walk(link, people=("customers", "profiles"))
    (route,) = found.by_table["profiles"]
    assert route.hops[0].kind == "owns"


def test_after_going_up_to_a_shared_row_a_route_only_goes_up() -> None:
    found = walk(
        fk("customers", "address_id", "addresses"),
        fk("deliveries", "address_id", "addresses"),  # other residents' deliveries
        fk("addresses", "region_id", "regions"),
    )
    assert "deliveries" not in found.by_table
    (route,) = found.by_table["regions"]
    assert [hop.kind for hop in route.hops] == ["references", "references"]


def test_a_table_with_the_subjects_own_rows_is_not_entered_from_below() -> None:
    # An invoice of the subject's may point at someone else's order: orders are the
    # subject's by their own customer key only.
    found = walk(
        fk("orders", "customer_id", "customers"),
        fk("invoices", "customer_id", "customers"),
        fk("invoices", "order_id", "orders"),
    )
    assert [r.tables for r in found.by_table["orders"]] == [("customers", "orders")]
    assert [r.tables for r in found.by_table["invoices"]] == [
        ("customers", "invoices"),
        ("customers", "orders", "invoices"),
    ]


def test_a_shared_link_leads_on_from_the_rows_that_are_the_subjects_alone() -> None:
    found = walk(
        fk("rentals", "customer_id", "customers", declared=True, shared=True),
        fk("rentals", "payer_id", "customers", declared=True, shared=True),
        fk("rental_damages", "rental_id", "rentals"),
    )
    assert {h.kind for r in found.by_table["rentals"] for h in r.hops} == {"shared_link"}
    assert [r.tables for r in found.by_table["rental_damages"]] == [
        ("customers", "rentals", "rental_damages"),
        ("customers", "rentals", "rental_damages"),
    ]


def test_a_link_declared_from_the_other_side_of_a_foreign_key_is_one_hop() -> None:
    # households.id = members.household_id, declared shared by households; the foreign key
    # is members.household_id -> households.id. One route, the declared one.
    found = walk(
        fk("members", "customer_id", "customers", declared=True),
        fk("members", "household_id", "households"),
        Edge("households", ("id",), "members", ("household_id",), declared=True, shared=True),
    )
    (route,) = found.by_table["households"]
    assert (route.hops[-1].kind, route.hops[-1].edge.declared) == ("shared_link", True)


def test_too_many_routes_is_an_error_not_a_hang() -> None:
    edges = tuple(
        fk(f"t{i}", f"c{j}", f"t{i - 1}" if i else "customers") for i in range(6) for j in range(3)
    )
    with pytest.raises(PledgeError, match="more than 100 routes"):
        walk(*edges)


def test_declared_links_and_foreign_keys_make_one_edge_per_join() -> None:
    def table(name: str, *fks: ForeignKey) -> TableInfo:
        return TableInfo(name, {}, ("id",), fks)

    schema = SchemaInfo(
        "sqlite",
        {
            "customers": table("customers", ForeignKey(("shop_id",), "shops", ("id",))),
            "lines": table("lines", ForeignKey(("order_id", "line_no"), "orders", ("id", "no"))),
            "orders": table("orders"),
            "contacts": table("contacts"),
        },
    )
    source = Source.model_validate(
        {
            "url_env": "SHOP_URL",
            "tables": {
                "customers": {},
                "orders": {"links": [{"table": "shop.customers", "on": {"customer_id": "id"}}]},
                # The foreign key again, its columns in another order, now declared shared.
                "lines": {
                    "links": [
                        {
                            "table": "orders",
                            "on": {"line_no": "no", "order_id": "id"},
                            "shared": True,
                        }
                    ]
                },
                "contacts": {"links": [{"table": "crm.people", "on": {"email": "email"}}]},
            },
        }
    )
    assert sorted(source_edges("shop", source, schema), key=lambda e: e.child) == [
        # customers.shop_id refers to an undeclared table: no edge.
        Edge("lines", ("order_id", "line_no"), "orders", ("id", "no"), True, True, True),
        Edge("orders", ("customer_id",), "customers", ("id",), declared=True),
    ]
