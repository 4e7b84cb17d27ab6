# error 3:1 require must come before
keep;
require "fileinto";
