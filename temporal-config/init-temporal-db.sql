-- The temporal-schema job (admin-tools) creates and upgrades Temporal's schemas in these databases on the shared PostgreSQL.
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
