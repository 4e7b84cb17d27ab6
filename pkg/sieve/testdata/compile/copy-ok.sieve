# ok
require ["copy", "fileinto"];
redirect :copy "a@example.com";
fileinto :copy "Archive";
