# error 3:10 invalid unicode
require "encoded-character";
redirect "${unicode:D800}@example.com";
