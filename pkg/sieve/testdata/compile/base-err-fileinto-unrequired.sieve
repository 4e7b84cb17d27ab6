# error 2:1 requires extension "fileinto"
fileinto "x";
