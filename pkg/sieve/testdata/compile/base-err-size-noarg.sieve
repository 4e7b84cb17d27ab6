# error 2:4 size needs :over or :under
if size 100 { keep; }
