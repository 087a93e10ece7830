;;
 ; SELECT 1;;
;