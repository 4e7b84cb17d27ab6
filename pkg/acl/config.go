package acl

import (
	"fmt"

	"gocyrus/pkg/config"
)

// PolicyFromConfig reads implicit_owner_rights and acl_admin_implies_write.
func PolicyFromConfig(cfg *config.Config) (Policy, error) {
	implicit, err := ParseRights(cfg.ImplicitOwnerRights(), DeleteRightFromConfig(cfg))
	if err != nil {
		return Policy{}, fmt.Errorf("implicit_owner_rights: %w", err)
	}
	return Policy{ImplicitOwnerRights: implicit, AdminImpliesWrite: cfg.AclAdminImpliesWrite()}, nil
}

// DeleteRightFromConfig returns the deleteright option as the letter
// ParseRights and Rights.Format take: 'd' when it is "d", else 'c'.
func DeleteRightFromConfig(cfg *config.Config) byte {
	if cfg.Deleteright() == "d" {
		return 'd'
	}
	return DefaultDeleteRight
}
