"""The company's own databases: connecting, reading their schema, reaching a person's rows."""
