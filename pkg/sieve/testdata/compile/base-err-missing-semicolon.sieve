# error 3:1 keep does not take a test
keep
discard;
