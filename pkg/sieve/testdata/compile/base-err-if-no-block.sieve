# error 2:1 if needs a block
if true;
