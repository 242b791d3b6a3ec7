"""Twin Impact ETL: source files → contract check → raw → staging → marts."""
