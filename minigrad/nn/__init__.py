"""Neural-network modules, layers and losses."""
