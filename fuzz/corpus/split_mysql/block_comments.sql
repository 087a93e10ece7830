/* a; b */ SELECT 1 /* c; d */ ;
SELECT /* in; side */ 2;
