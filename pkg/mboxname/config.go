package mboxname

import "gocyrus/pkg/config"

// NamespaceFromConfig reads altnamespace, unixhierarchysep, userprefix,
// sharedprefix, virtdomains and defaultdomain.
func NamespaceFromConfig(cfg *config.Config) Namespace {
	return Namespace{
		AltNamespace:     cfg.Altnamespace(),
		UnixHierarchySep: cfg.Unixhierarchysep(),
		UserPrefix:       cfg.Userprefix(),
		SharedPrefix:     cfg.Sharedprefix(),
		VirtDomains:      cfg.Virtdomains(),
		DefaultDomain:    cfg.Defaultdomain(),
	}
}
