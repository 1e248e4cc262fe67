package standin_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/standin"
	st "github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/standin/standintest"
)

func TestDiff(t *testing.T) {
	replaces := []string{"name"}
	tests := []struct {
		desc       string
		olds, news map[string]any
		forced     []string
		want       map[string]pulumirpc.PropertyDiff_Kind
	}{
		{desc: "nothing changed", olds: map[string]any{"name": "a", "tags": map[string]any{"x": "1"}},
			news: map[string]any{"name": "a", "tags": map[string]any{"x": "1"}}},
		{desc: "secretness alone is no change", olds: map[string]any{"name": "a"},
			news: map[string]any{"name": st.Secret("a")}},
		{desc: "null, absent and empty are alike", olds: map[string]any{"list": []any{}, "n": nil},
			news: map[string]any{}},
		{desc: "engine metadata is ignored", olds: map[string]any{"__defaults": []any{"name"}},
			news: map[string]any{"__defaults": []any{}}},
		{desc: "in-place update", olds: map[string]any{"name": "a", "description": "x"},
			news: map[string]any{"name": "a", "description": "y"},
			want: map[string]pulumirpc.PropertyDiff_Kind{"description": pulumirpc.PropertyDiff_UPDATE}},
		{desc: "add and delete", olds: map[string]any{"a": "1"}, news: map[string]any{"b": "2"},
			want: map[string]pulumirpc.PropertyDiff_Kind{"a": pulumirpc.PropertyDiff_DELETE, "b": pulumirpc.PropertyDiff_ADD}},
		{desc: "replacing property", olds: map[string]any{"name": "a"}, news: map[string]any{"name": "b"},
			want: map[string]pulumirpc.PropertyDiff_Kind{"name": pulumirpc.PropertyDiff_UPDATE_REPLACE}},
		{desc: "replacing property added", olds: map[string]any{}, news: map[string]any{"name": "b"},
			want: map[string]pulumirpc.PropertyDiff_Kind{"name": pulumirpc.PropertyDiff_ADD_REPLACE}},
		{desc: "unknown is a change", olds: map[string]any{"name": "a"}, news: map[string]any{"name": st.Unknown()},
			want: map[string]pulumirpc.PropertyDiff_Kind{"name": pulumirpc.PropertyDiff_UPDATE_REPLACE}},
		{desc: "forced replacement", olds: map[string]any{"x": "1"}, news: map[string]any{"x": "1"},
			forced: []string{"readyForRenewal"},
			want:   map[string]pulumirpc.PropertyDiff_Kind{"readyForRenewal": pulumirpc.PropertyDiff_UPDATE_REPLACE}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			resp := standin.Diff(st.Props(tt.olds), st.Props(tt.news), replaces, tt.forced)
			wantChanges := pulumirpc.DiffResponse_DIFF_NONE
			if len(tt.want) > 0 {
				wantChanges = pulumirpc.DiffResponse_DIFF_SOME
			}
			if resp.GetChanges() != wantChanges {
				t.Errorf("changes = %v, want %v", resp.GetChanges(), wantChanges)
			}
			if len(resp.GetDetailedDiff()) != len(tt.want) {
				t.Errorf("detailed diff = %v, want %v", resp.GetDetailedDiff(), tt.want)
			}
			wantReplaces := 0
			for k, kind := range tt.want {
				if got := resp.GetDetailedDiff()[k].GetKind(); got != kind {
					t.Errorf("%s: kind %v, want %v", k, got, kind)
				}
				if strings.HasSuffix(kind.String(), "_REPLACE") {
					wantReplaces++
				}
			}
			if len(resp.GetReplaces()) != wantReplaces {
				t.Errorf("replaces = %v, want %d", resp.GetReplaces(), wantReplaces)
			}
		})
	}
}

// kindProvider is a provider with one auto-named kind, for the tests of the generic
// behaviour.
func kindProvider(t *testing.T, log string) *st.Client {
	p := standin.New(standin.Options{
		Name: "demo", Version: "1.2.3", LogPath: log,
		Kinds: map[string]*standin.Kind{"demo:index:Thing": {
			Replaces: []string{"name", "namePrefix", "path"},
			Computed: []string{"arn"},
			AutoName: &standin.AutoName{Property: "name", Prefix: "namePrefix", MaxLen: 20},
			Create: func(r *standin.Request) (string, resource.PropertyMap, error) {
				out := resource.PropertyMap{}
				standin.Set(out, "arn", "arn:demo:"+standin.StringOr(r.Inputs, "name", ""))
				return standin.StringOr(r.Inputs, "name", ""), out, nil
			},
		}},
	})
	return st.New(t, p, nil)
}

func TestAutoName(t *testing.T) {
	c := kindProvider(t, "")
	urn := st.URN("demo:index:Thing", "a-rather-long-resource-name")
	first := c.MustCheck(urn, nil, st.Props(map[string]any{"path": "/a/"}))
	name, _ := standin.String(first, "name")
	if len(name) != 20 || !strings.HasPrefix(name, "a-rather-lon-") {
		t.Fatalf("auto name %q: want the resource name cut to fit 20 characters, a dash and 7 hex", name)
	}
	if again := c.MustCheck(urn, nil, st.Props(map[string]any{"path": "/a/"})); standin.StringOr(again, "name", "") != name {
		t.Errorf("the same resource and inputs must get the same name, got %v", again)
	}
	kept := c.MustCheck(urn, first, st.Props(map[string]any{"path": "/b/"}))
	if got := standin.StringOr(kept, "name", ""); got != name {
		t.Errorf("an update must keep the name filled before, got %q want %q", got, name)
	}
	fresh := c.MustCheck(urn, nil, st.Props(map[string]any{"path": "/b/"}))
	if got := standin.StringOr(fresh, "name", ""); got == name {
		t.Errorf("a replacement (Check without olds, other inputs) must get a new name, got %q again", got)
	}
	if _, out, err := c.Create(urn, first, false); err != nil || standin.Has(out, "__defaults") {
		t.Errorf("outputs %v (%v): the record of filled-in inputs belongs to inputs, not outputs", out, err)
	}
	named := c.MustCheck(urn, nil, st.Props(map[string]any{"name": "mine"}))
	if standin.StringOr(named, "name", "") != "mine" || standin.Has(named, "__defaults") {
		t.Errorf("a given name must stay, unmarked as a default: %v", named)
	}
	prefixed := c.MustCheck(urn, nil, st.Props(map[string]any{"namePrefix": "pre-"}))
	if standin.Has(prefixed, "name") {
		t.Errorf("with a prefix the name is made at creation, not in Check: %v", prefixed)
	}
	_, out, err := c.Create(urn, prefixed, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := standin.StringOr(out, "name", ""); len(got) != len("pre-")+26 || !strings.HasPrefix(got, "pre-") {
		t.Errorf("prefixed name %q: want the prefix and 26 characters", got)
	}
}

func TestDeleteBeforeReplaceOnlyWhenNamed(t *testing.T) {
	c := kindProvider(t, "")
	urn := st.URN("demo:index:Thing", "thing")
	auto := c.MustCheck(urn, nil, st.Props(map[string]any{"path": "/a/"}))
	autoNew := c.MustCheck(urn, nil, st.Props(map[string]any{"path": "/b/"}))
	if d := c.Diff(urn, "id", auto, auto, autoNew); len(d.GetReplaces()) == 0 || d.GetDeleteBeforeReplace() {
		t.Errorf("auto-named replacement: replaces %v, deleteBeforeReplace %v; want a create-first replacement",
			d.GetReplaces(), d.GetDeleteBeforeReplace())
	}
	named := st.Props(map[string]any{"name": "mine", "path": "/a/"})
	namedNew := st.Props(map[string]any{"name": "mine", "path": "/b/"})
	if d := c.Diff(urn, "mine", named, named, namedNew); !d.GetDeleteBeforeReplace() {
		t.Error("a replacement of a resource the program named must delete first: both cannot hold the name")
	}
}

func TestPreviewCreateLeavesComputedUnknown(t *testing.T) {
	c := kindProvider(t, "")
	urn := st.URN("demo:index:Thing", "thing")
	inputs := c.MustCheck(urn, nil, st.Props(map[string]any{"namePrefix": st.Unknown()}))
	id, out, err := c.Create(urn, inputs, true)
	if err != nil {
		t.Fatal(err)
	}
	if id != "" || !out["arn"].IsComputed() || !out["name"].IsComputed() {
		t.Errorf("preview: id %q, outputs %v; want no id and unknown arn and name", id, out)
	}
}

func TestUnknownTypeIsNamed(t *testing.T) {
	c := kindProvider(t, "")
	_, _, err := c.Create(st.URN("demo:index:Other", "x"), resource.PropertyMap{}, false)
	if err == nil || !strings.Contains(err.Error(), `"demo:index:Other"`) {
		t.Errorf("error %v: want one naming the type", err)
	}
}

func TestLogRecordsCallsWithSecretsRedacted(t *testing.T) {
	log := filepath.Join(t.TempDir(), "calls.jsonl")
	c := kindProvider(t, log)
	urn := st.URN("demo:index:Thing", "thing")
	c.MustCreate(urn, st.Props(map[string]any{"name": "n", "token": st.Secret("hunter2")}))
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "hunter2") {
		t.Fatalf("the log holds a secret value:\n%s", data)
	}
	var methods []string
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		line := sc.Text()
		for _, m := range []string{"Configure", "Check", "Create"} {
			if strings.Contains(line, `"method":"`+m+`"`) {
				methods = append(methods, m)
			}
		}
		if strings.Contains(line, `"method":"Create"`) &&
			(!strings.Contains(line, `"@secret":"sha256:`) || !strings.Contains(line, `"arn":"arn:demo:n"`) ||
				!strings.Contains(line, `"urn":"`+string(urn)+`"`)) {
			t.Errorf("Create line lacks the URN, the outputs or the redacted secret: %s", line)
		}
	}
	if strings.Join(methods, ",") != "Configure,Check,Create" {
		t.Errorf("logged methods %v, want Configure, Check, Create", methods)
	}
}
