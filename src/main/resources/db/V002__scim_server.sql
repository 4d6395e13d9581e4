-- Placeholder on the reconciler branch only: the scim-server branch owns V002.
SELECT 1;
