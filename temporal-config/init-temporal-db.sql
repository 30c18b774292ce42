-- Temporal's auto-setup creates its schemas in these databases on the shared PostgreSQL.
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
