# ok
require ["editheader", "index"];
addheader "X-Sieve" "filtered";
addheader :last "X-Note" "end";
deleteheader "X-Spam";
deleteheader :index 1 :last :contains "X-Tag" ["a", "b"];
