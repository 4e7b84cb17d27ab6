# error 2:1 else without a preceding if
else { keep; }
