package sandbox

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// A CloudFront distribution as the aws stand-in records it under .cloudfront/<id>.json
// of the S3 folder: what the endpoints need to serve its aliases from its origin bucket.
type distribution struct {
	ARN        string   `json:"arn"`
	DomainName string   `json:"domainName"`
	Aliases    []string `json:"aliases"`
	Origins    []struct {
		DomainName string `json:"domainName"`
		OriginPath string `json:"originPath"`
	} `json:"origins"`
}

// serveCloudFront answers for a distribution whose domain name or alias is host, reading
// its origin bucket with the distribution's identity: the bucket policy must grant
// cloudfront.amazonaws.com s3:GetObject with AWS:SourceArn equal to the distribution,
// as Origin Access Control requires. It reports whether host was a distribution's.
func (e *Endpoints) serveCloudFront(w http.ResponseWriter, r *http.Request, host string) bool {
	entries, _ := os.ReadDir(filepath.Join(e.S3Dir, ".cloudfront"))
	for _, entry := range entries {
		raw, err := os.ReadFile(filepath.Join(e.S3Dir, ".cloudfront", entry.Name()))
		if err != nil {
			continue
		}
		var d distribution
		if json.Unmarshal(raw, &d) != nil || (d.DomainName != host && !slices.Contains(d.Aliases, host)) || len(d.Origins) == 0 {
			continue
		}
		bucket, _, _ := strings.Cut(d.Origins[0].DomainName, ".s3.")
		key := strings.TrimPrefix(strings.TrimPrefix(d.Origins[0].OriginPath, "/")+r.URL.Path, "/")
		if !e.readableBy(bucket, key, func(principal any, condition any) bool {
			m, _ := principal.(map[string]any)
			return m["Service"] == "cloudfront.amazonaws.com" && conditionNames(condition, d.ARN)
		}) {
			s3Error(w, http.StatusForbidden, "AccessDenied", "Access Denied")
			return true
		}
		body, err := os.ReadFile(filepath.Join(e.S3Dir, bucket, filepath.FromSlash(key)))
		if err != nil {
			s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
			return true
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age=300")
		_, _ = w.Write(body)
		return true
	}
	return false
}

// conditionNames is whether a statement's Condition requires AWS:SourceArn to equal arn.
func conditionNames(condition any, arn string) bool {
	m, _ := condition.(map[string]any)
	equals, _ := m["StringEquals"].(map[string]any)
	return equals["AWS:SourceArn"] == arn
}
