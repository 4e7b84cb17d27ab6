# error 2:15 invalid number
if size :over 10X { keep; }
