# error 3:1 reject needs 1 positional
require "reject";
reject;
