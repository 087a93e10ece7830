-- nothing to do here;
/* still nothing; */

   
-- end