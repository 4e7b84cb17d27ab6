# error 3:12 :upper cannot be combined with :lower
require "variables";
set :lower :upper "a" "b";
