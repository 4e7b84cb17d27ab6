# error 3:19 :global conflicts with :personal
require "include";
include :personal :global "x";
