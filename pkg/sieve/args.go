package sieve

// paramKind is what follows a tagged argument.
type paramKind int

const (
	noParam paramKind = iota
	numParam
	strParam
	listParam
)

// tagSpec describes one tagged argument a command or test accepts.
type tagSpec struct {
	param paramKind
	group string // tags sharing a group are mutually exclusive; "" = none
	ext   string // extension that must be required; "" = base language
}

type tagArg struct {
	pos  Pos
	num  int64
	strs []stringLit
}

// args is a command's arguments sorted into tags and positionals.
type args struct {
	tags  map[string]tagArg
	group map[string]string // group -> chosen tag
	order []string          // tags in source order
	pos   []argument
}

func (a *args) has(tag string) bool { _, ok := a.tags[tag]; return ok }

// readArgs checks tagged arguments against specs (all tags come before
// positional arguments, each at most once, one per group, extension
// required) and returns them with the positionals.
func (c *compiler) readArgs(cmd string, in []argument, specs ...map[string]tagSpec) (*args, *Error) {
	a := &args{tags: map[string]tagArg{}, group: map[string]string{}}
	for i := 0; i < len(in); i++ {
		arg := in[i]
		if arg.kind != argTag {
			a.pos = append(a.pos, arg)
			continue
		}
		if len(a.pos) > 0 {
			return nil, errAt(arg.pos, "tagged argument %s after positional arguments of %s", arg.tag, cmd)
		}
		spec, ok := lookupTag(arg.tag, specs)
		if !ok {
			return nil, errAt(arg.pos, "unknown tagged argument %s for %s", arg.tag, cmd)
		}
		if spec.ext != "" && !c.required[spec.ext] {
			return nil, errAt(arg.pos, "%s requires extension %q", arg.tag, spec.ext)
		}
		if _, dup := a.tags[arg.tag]; dup {
			return nil, errAt(arg.pos, "%s given twice", arg.tag)
		}
		if spec.group != "" {
			if prev, dup := a.group[spec.group]; dup {
				return nil, errAt(arg.pos, "%s conflicts with %s", arg.tag, prev)
			}
			a.group[spec.group] = arg.tag
		}
		ta := tagArg{pos: arg.pos}
		if spec.param != noParam {
			if i+1 >= len(in) {
				return nil, errAt(arg.pos, "%s needs an argument", arg.tag)
			}
			i++
			p := in[i]
			switch spec.param {
			case numParam:
				if p.kind != argNumber {
					return nil, errAt(p.pos, "%s needs a number", arg.tag)
				}
				ta.num = p.num
			case strParam:
				if p.kind != argStrings || p.list {
					return nil, errAt(p.pos, "%s needs a string", arg.tag)
				}
				ta.strs = p.strs
			case listParam:
				if p.kind != argStrings {
					return nil, errAt(p.pos, "%s needs a string list", arg.tag)
				}
				ta.strs = p.strs
			}
		}
		a.tags[arg.tag] = ta
		a.order = append(a.order, arg.tag)
	}
	return a, nil
}

func lookupTag(tag string, specs []map[string]tagSpec) (tagSpec, bool) {
	for _, m := range specs {
		if s, ok := m[tag]; ok {
			return s, true
		}
	}
	return tagSpec{}, false
}

// Tag sets shared by several tests and commands.
var (
	comparatorTags = map[string]tagSpec{":comparator": {param: strParam}}
	matchTypeTags  = map[string]tagSpec{
		":is":       {group: "match"},
		":contains": {group: "match"},
		":matches":  {group: "match"},
		":regex":    {group: "match", ext: "regex"},
		":value":    {group: "match", param: strParam, ext: "relational"},
		":count":    {group: "match", param: strParam, ext: "relational"},
	}
	addressPartTags = map[string]tagSpec{
		":all":       {group: "part"},
		":localpart": {group: "part"},
		":domain":    {group: "part"},
		":user":      {group: "part", ext: "subaddress"},
		":detail":    {group: "part", ext: "subaddress"},
	}
	indexTags = map[string]tagSpec{
		":index": {param: numParam, ext: "index"},
		":last":  {ext: "index"},
	}
)

// wantPositional checks the number and kinds of positional arguments.
func wantPositional(cmd string, at Pos, a *args, kinds ...argKind) *Error {
	if len(a.pos) != len(kinds) {
		if len(a.pos) > len(kinds) {
			return errAt(a.pos[len(kinds)].pos, "too many arguments for %s", cmd)
		}
		return errAt(at, "%s needs %d positional argument(s), got %d", cmd, len(kinds), len(a.pos))
	}
	for i, k := range kinds {
		if err := checkKind(cmd, a.pos[i], k); err != nil {
			return err
		}
	}
	return nil
}

// argString marks a positional that must be a single string (not a list).
const argString argKind = 100

func checkKind(cmd string, arg argument, k argKind) *Error {
	switch k {
	case argNumber:
		if arg.kind != argNumber {
			return errAt(arg.pos, "%s expects a number here", cmd)
		}
	case argStrings:
		if arg.kind != argStrings {
			return errAt(arg.pos, "%s expects a string list here", cmd)
		}
	case argString:
		if arg.kind != argStrings || arg.list || len(arg.strs) != 1 {
			return errAt(arg.pos, "%s expects a string here", cmd)
		}
	}
	return nil
}
