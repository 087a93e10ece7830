SELECT 1; /* a /* b */ still open;
