SELECT 1;
  /* open; SELECT 2;
