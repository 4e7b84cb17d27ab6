# error 3:1 unknown command "frobnicate"
keep;
frobnicate;
