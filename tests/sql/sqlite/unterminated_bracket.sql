SELECT [col;
