package standin

import (
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Diff compares old and new inputs key by key (engine metadata such as "__defaults" is
// ignored). A change to a key in replaces, or in forced (keys a kind decided must
// replace whatever the inputs say), is a replacement; any other change is an in-place
// update. An unknown new value counts as a change, as it does for the real providers.
func Diff(olds, news resource.PropertyMap, replaces, forced []string) *pulumirpc.DiffResponse {
	replaceKey := map[string]bool{}
	for _, k := range replaces {
		replaceKey[k] = true
	}
	keys := map[string]bool{}
	for k := range olds {
		keys[string(k)] = true
	}
	for k := range news {
		keys[string(k)] = true
	}
	resp := &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_NONE,
		DetailedDiff:    map[string]*pulumirpc.PropertyDiff{},
		HasDetailedDiff: true,
	}
	for k := range keys {
		key := resource.PropertyKey(k)
		if internalKey(key) {
			continue
		}
		o, n := olds[key], news[key]
		if !changed(o, n) {
			continue
		}
		kind := pulumirpc.PropertyDiff_UPDATE
		switch {
		case empty(o):
			kind = pulumirpc.PropertyDiff_ADD
		case empty(n):
			kind = pulumirpc.PropertyDiff_DELETE
		}
		if replaceKey[k] {
			kind = replaceKind(kind)
			resp.Replaces = append(resp.Replaces, k)
		}
		resp.Diffs = append(resp.Diffs, k)
		resp.DetailedDiff[k] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	for _, k := range forced {
		if _, done := resp.DetailedDiff[k]; done && replaceKey[k] {
			continue
		}
		resp.Diffs = append(resp.Diffs, k)
		resp.Replaces = append(resp.Replaces, k)
		resp.DetailedDiff[k] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_UPDATE_REPLACE}
	}
	sort.Strings(resp.Diffs)
	resp.Diffs = dedupe(resp.Diffs)
	sort.Strings(resp.Replaces)
	resp.Replaces = dedupe(resp.Replaces)
	if len(resp.Diffs) > 0 {
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return resp
}

// replaceKind is the replacing variant of an add, delete or update.
func replaceKind(k pulumirpc.PropertyDiff_Kind) pulumirpc.PropertyDiff_Kind {
	switch k {
	case pulumirpc.PropertyDiff_ADD:
		return pulumirpc.PropertyDiff_ADD_REPLACE
	case pulumirpc.PropertyDiff_DELETE:
		return pulumirpc.PropertyDiff_DELETE_REPLACE
	default:
		return pulumirpc.PropertyDiff_UPDATE_REPLACE
	}
}

// changed reports whether n differs from o, treating null, absent and empty collections
// alike and ignoring secretness.
func changed(o, n resource.PropertyValue) bool {
	if n.ContainsUnknowns() {
		return true
	}
	if empty(o) && empty(n) {
		return false
	}
	return !Plain(o).DeepEquals(Plain(n))
}

// empty reports whether v is null, absent, or an empty list or map.
func empty(v resource.PropertyValue) bool {
	p := Plain(v)
	switch {
	case p.IsNull():
		return true
	case p.IsArray():
		return len(p.ArrayValue()) == 0
	case p.IsObject():
		return len(p.ObjectValue()) == 0
	default:
		return false
	}
}

// dedupe drops adjacent duplicates of a sorted slice.
func dedupe(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
