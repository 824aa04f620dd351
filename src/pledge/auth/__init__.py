"""Staff of the company: accounts, passwords, roles, browser sessions and API tokens."""

from pledge.auth.roles import Role, parse_role

__all__ = ["Role", "parse_role"]
