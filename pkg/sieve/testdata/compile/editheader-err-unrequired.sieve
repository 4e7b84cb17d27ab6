# error 2:1 addheader requires extension "editheader"
addheader "X" "y";
