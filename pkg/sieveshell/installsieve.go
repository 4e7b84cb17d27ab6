package sieveshell

import (
	"context"
	"fmt"
)

// installsieveUsage is Cyrus 3.6.1's installsieve help, word for word,
// after the deprecation note it always prints first.
const (
	installsieveNote  = "NOTE: This program is deprecated. Please use sieveshell\n\n"
	installsieveUsage = `Usage:
  installsieve [options] <server>

  -v <name>    view script
  -l           list available scripts
  -i <file>    filename of script to install
  -a <name>    Set <name> as the active script
  -d <name>    Delete <name> script from server
  -g <name>    Get script <name> and save to disk
  -u <user>    Userid/Authname to use

`
)

var installsieveOptions = []option{
	{names: []string{"views", "v"}, hasValue: true},
	{names: []string{"list", "l"}},
	{names: []string{"installs", "i"}, hasValue: true},
	{names: []string{"activates", "a"}, hasValue: true},
	{names: []string{"deletes", "d"}, hasValue: true},
	{names: []string{"gets", "g"}, hasValue: true},
	{names: []string{"username", "u"}, hasValue: true},
}

// Installsieve runs installsieve with args (the program name excluded)
// and returns its exit status. The actions given run in Cyrus's order
// (install, delete, activate, get, view, list); the first failure ends
// the run with its message on Err.
func Installsieve(ctx context.Context, args []string, e *Env) int {
	fmt.Fprint(e.Out, installsieveNote)
	p, err := getoptLong(args, installsieveOptions)
	if err != nil {
		fmt.Fprintln(e.Err, err)
	}
	if err != nil || len(p.operands) != 1 {
		fmt.Fprint(e.Out, installsieveUsage)
		return 0
	}
	id := identity{user: p.values["username"]}
	if id.user == "" {
		id.user = e.User
	}
	id.authname = id.user
	c, err := connect(ctx, e, p.operands[0], id)
	if err != nil {
		fmt.Fprintln(e.Err, "Unable to connect to server")
		return 255
	}
	defer c.Close()
	fail := func(what string, err error) int {
		fmt.Fprintf(e.Err, "%s failed\n%s", what, err)
		return 1
	}
	if f, ok := p.values["installs"]; ok {
		if err := putFile(c, f); err != nil {
			return fail("upload", err)
		}
	}
	if name, ok := p.values["deletes"]; ok {
		if err := c.DeleteScript(name); err != nil {
			return fail("delete", err)
		}
	}
	if name, ok := p.values["activates"]; ok {
		if err := c.SetActive(name); err != nil {
			return fail("activate", err)
		}
	}
	if name, ok := p.values["gets"]; ok {
		body, err := c.GetScript(name)
		if err != nil {
			return fail("get", err)
		}
		if err := writeFile(name, body); err != nil {
			fmt.Fprintf(e.Err, "Unable to open %s: %s\n", name, strerror(err))
			return 2
		}
	}
	if name, ok := p.values["views"]; ok {
		body, err := c.GetScript(name)
		if err != nil {
			return fail("get", err)
		}
		e.Out.Write(body)
	}
	if _, ok := p.values["list"]; ok {
		if err := list(c, e); err != nil {
			return fail("List command", err)
		}
	}
	c.Logout()
	return 0
}
