;;
  ; SELECT 1;;
;