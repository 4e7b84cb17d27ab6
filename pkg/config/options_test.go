package config

import (
	"strings"
	"testing"
)

// TestOptionTable checks that every option is documented, well named and
// has a default its own type accepts.
func TestOptionTable(t *testing.T) {
	seen := make(map[string]bool)
	for i := range Options {
		d := &Options[i]
		if strings.TrimSpace(d.Text) == "" {
			t.Errorf("option %q has no Text", d.Name)
		}
		if !validKey(d.Name) || strings.ToLower(d.Name) != d.Name {
			t.Errorf("option %q: name must be lower-case letters, digits, '-' and '_'", d.Name)
		}
		if seen[d.Name] {
			t.Errorf("option %q listed twice", d.Name)
		}
		seen[d.Name] = true
		if _, err := parseValue(d, d.Default); err != nil {
			t.Errorf("option %q: default: %v", d.Name, err)
		}
		if d.Type == TypeEnum && (len(d.Values) == 0 || d.Default == "") {
			t.Errorf("enum %q needs Values and a Default", d.Name)
		}
		if d.Type != TypeDuration && (d.Unit != 0 || d.Min != 0) {
			t.Errorf("option %q: Unit/Min only apply to durations", d.Name)
		}
		if d.Sep != "" && d.Type != TypeList {
			t.Errorf("option %q: Sep only applies to lists", d.Name)
		}
		if d.DefaultFrom != "" {
			if from, ok := lookupOption(d.DefaultFrom); !ok || from.def.Type != d.Type {
				t.Errorf("option %q: DefaultFrom %q is not an option of the same type", d.Name, d.DefaultFrom)
			}
		}
		for _, old := range d.Deprecated {
			if _, clash := lookupOption(old); clash {
				t.Errorf("deprecated name %q is also an option", old)
			}
		}
		if isOverflow(d.Name) && !strings.HasPrefix(d.Name, "sasl_") {
			t.Errorf("option %q is shadowed by an overflow prefix", d.Name)
		}
	}
	for _, p := range OverflowPrefixes {
		if strings.TrimSpace(p.Text) == "" || !strings.Contains(p.Text, ": ") {
			t.Errorf("prefix %q needs a Text of the form \"name: description\"", p.Prefix)
		}
	}
}

// TestRequiredOptions is the list the brief and other packages rely on.
func TestRequiredOptions(t *testing.T) {
	for _, name := range strings.Fields(`configdirectory servername serverinfo lmtpsocket idlesocket
		notifysocket sasl_pwcheck_method sasl_mech_list sasl_saslauthd_path sasl_minimum_layer
		sasl_maximum_layer sasl_auto_transition tls_server_cert tls_server_key tls_client_ca_file
		tls_client_ca_dir tls_client_certs tls_versions tls_required maxmessagesize syslog_prefix
		mailbox_legacy_dirs hashimapspool fulldirhash duplicate_db_path sievedir postuser
		lmtp_over_quota_perm_failure lmtp_strict_quota lmtp_downcase_rcpt lmtp_fuzzy_mailbox_match
		lmtp_catchall_mailbox lmtp_strict_rfc2821 lmtp_exclude_specialuse popminpoll poptimeout
		popexpiretime popuseacl popuseimapflags popsubfolders timeout imapidletimeout imapidlepoll
		maxlogins_per_user maxlogins_per_host autocreate_quota autocreate_quota_messages
		autocreate_inbox_folders autocreate_subscribe_folders autocreate_post autocreate_sieve_script
		autocreate_users specialuse_protect quotawarn quotawarnkb quotawarnmsg delete_mode
		deletedprefix expunge_mode umask defaultpartition partition_select_mode admins proxyservers
		allowanonymouslogin allowplaintext username_tolower loginrealms virtdomains defaultdomain
		crossdomains defaultacl implicit_owner_rights acl_admin_implies_write anyoneuseracl
		allowsetacl deleteright allowallsubscribe allowusermoves userprefix sharedprefix
		suppress_capabilities autoexpunge singleinstancestore duplicatesuppression reject8bit
		munge8bit postmaster sendmail rfc3028_strict client_timeout allowapop uidl_format
		altnamespace unixhierarchysep sieveusehomedir sieve_maxscriptsize sieve_maxscripts
		sieve_extensions sieve_folder sieve_vacation_min_response sieve_vacation_max_response
		sieve_use_lmtp_reject maxliteral maxline maxconnections`) {
		if _, ok := lookupOption(name); !ok {
			t.Errorf("option %q is missing from the table", name)
		}
	}
}
