# error 3:10 :create requires extension "mailbox"
require "fileinto";
fileinto :create "x";
