-- nothing
/* nothing /* nested */ here; */
