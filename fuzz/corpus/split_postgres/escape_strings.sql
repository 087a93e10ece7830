SELECT E'it\'s; here', e'back\\';
SELECT 'std '' quote; here', 'c:\';
