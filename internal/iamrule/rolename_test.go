package iamrule

import (
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/wanterr"
)

func TestValidateRoleNaming(t *testing.T) {
	for _, tt := range []struct {
		name, field string
		naming      RoleNaming
		want        []string
	}{
		{"neither", "", RoleNaming{}, nil},
		{"name", "", RoleNaming{Name: new("external-dns")}, nil},
		{"every allowed character", "", RoleNaming{Name: new("a+b=c,d.e@f_g-h")}, nil},
		{"name of 64", "", RoleNaming{Name: new(strings.Repeat("r", 64))}, nil},
		{"name of 65", "roles.x.", RoleNaming{Name: new(strings.Repeat("r", 65))}, []string{"roles.x.name: ", "65 characters; IAM allows at most 64"}},
		{"name with a slash", "", RoleNaming{Name: new("team/dns")}, []string{"name: ", "letters, digits and +=,.@_-"}},
		{"name with a space", "", RoleNaming{Name: new("a b")}, []string{"name: "}},
		{"empty name", "", RoleNaming{Name: new("")}, []string{"name: empty"}},
		{"prefix", "", RoleNaming{NamePrefix: new("prod-dns-")}, nil},
		{"prefix of 38", "", RoleNaming{NamePrefix: new(strings.Repeat("p", 38))}, nil},
		{"prefix of 39", "roles.x.", RoleNaming{NamePrefix: new(strings.Repeat("p", 39))}, []string{"roles.x.namePrefix: ", "at most 38 characters, since a unique suffix of 26"}},
		{"prefix with a colon", "", RoleNaming{NamePrefix: new("a:b")}, []string{"namePrefix: "}},
		{"both", "roles.x.", RoleNaming{Name: new("a"), NamePrefix: new("b")}, []string{"roles.x.name: give either name or namePrefix"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			errs := ValidateRoleNaming(tt.field, tt.naming)
			if len(tt.want) == 0 {
				if len(errs) != 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 {
				t.Fatalf("errors = %v, want one", errs)
			}
			wanterr.Check(t, tt.want[0], errs[0], tt.want[len(tt.want)-1])
		})
	}
}

func TestRoleNameKeyIgnoresCase(t *testing.T) {
	if RoleNameKey("External-DNS") != RoleNameKey("external-dns") {
		t.Error("IAM refuses two roles whose names differ only in case; the key must say they collide")
	}
}

func TestPrefixLimitLeavesRoomForTheSuffix(t *testing.T) {
	if MaxRoleNamePrefix+RoleNamePrefixSuffix != MaxRoleName {
		t.Errorf("a prefix of %d with the provider's suffix of %d must fill IAM's %d exactly", MaxRoleNamePrefix, RoleNamePrefixSuffix, MaxRoleName)
	}
}
