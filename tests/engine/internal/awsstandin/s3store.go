package awsstandin

import (
	"crypto/md5" //nolint:gosec // S3's ETag of a single-part upload is the MD5 of the content
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/standin"
)

// Files beside a bucket's objects that record its settings for the test server.
const (
	// PolicyFile holds the bucket policy JSON.
	PolicyFile = ".policy.json"
	// PublicAccessBlockFile holds the Block Public Access settings as JSON with the
	// four real property names.
	PublicAccessBlockFile = ".public-access-block.json"
	// DistributionDir holds one <id>.json per CloudFront distribution (a name no bucket
	// can have), so a test server can answer for its domain name and aliases from its
	// origin bucket.
	DistributionDir = ".cloudfront"
)

// s3Store keeps buckets as directories of dir and objects as files below them. With no
// dir it keeps nothing and refuses nothing.
type s3Store struct {
	dir string
}

// enabled reports whether objects are kept anywhere.
func (s s3Store) enabled() bool { return s.dir != "" }

// bucketDir is the directory of a bucket, refusing names that would leave dir.
func (s s3Store) bucketDir(bucket string) (string, error) {
	if bucket == "" || bucket == "." || bucket == ".." || strings.ContainsAny(bucket, `/\`) {
		return "", fmt.Errorf("InvalidBucketName: The specified bucket is not valid: %q", bucket)
	}
	return filepath.Join(s.dir, bucket), nil
}

// existingBucket is the directory of a bucket that exists, or S3's NoSuchBucket.
func (s s3Store) existingBucket(bucket string) (string, error) {
	d, err := s.bucketDir(bucket)
	if err != nil {
		return "", err
	}
	if st, err := os.Stat(d); err != nil || !st.IsDir() {
		return "", fmt.Errorf("NoSuchBucket: The specified bucket does not exist: %s", bucket)
	}
	return d, nil
}

// objectPath is the file of an object, refusing keys that would leave the bucket or
// take the place of a settings file.
func (s s3Store) objectPath(bucket, key string) (string, error) {
	d, err := s.existingBucket(bucket)
	if err != nil {
		return "", err
	}
	clean := filepath.Clean(filepath.FromSlash(key))
	if key == "" || strings.HasPrefix(key, "/") || clean == "." || clean == ".." ||
		strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("the stand-in cannot store key %q of bucket %s", key, bucket)
	}
	if clean == PolicyFile || clean == PublicAccessBlockFile {
		return "", fmt.Errorf("the stand-in reserves key %q for the bucket's settings", key)
	}
	return filepath.Join(d, clean), nil
}

// createBucket makes the bucket with Block Public Access fully on, as S3 does for new
// buckets since April 2023.
func (s s3Store) createBucket(bucket string) error {
	if !s.enabled() {
		return nil
	}
	d, err := s.bucketDir(bucket)
	if err != nil {
		return err
	}
	if _, err := os.Stat(d); err == nil {
		return fmt.Errorf("BucketAlreadyOwnedByYou: Your previous request to create the named bucket succeeded "+
			"and you already own it: %s", bucket)
	}
	if err := os.MkdirAll(d, 0o750); err != nil {
		return err
	}
	return s.putPublicAccessBlock(bucket, publicAccessBlock{true, true, true, true})
}

// deleteBucket removes an empty bucket; objects left in it are S3's BucketNotEmpty.
func (s s3Store) deleteBucket(bucket string) error {
	if !s.enabled() {
		return nil
	}
	d, err := s.bucketDir(bucket)
	if err != nil {
		return err
	}
	var objects []string
	err = filepath.WalkDir(d, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(d, path)
		if !e.IsDir() && rel != PolicyFile && rel != PublicAccessBlockFile {
			objects = append(objects, filepath.ToSlash(rel))
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(objects) > 0 {
		return fmt.Errorf("BucketNotEmpty: The bucket you tried to delete is not empty: %s holds %s",
			bucket, strings.Join(objects, ", "))
	}
	return os.RemoveAll(d)
}

// putObject writes an object's content.
func (s s3Store) putObject(bucket, key string, content []byte) error {
	if !s.enabled() {
		return nil
	}
	p, err := s.objectPath(bucket, key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return err
	}
	return os.WriteFile(p, content, 0o600)
}

// deleteObject removes an object and the folders it leaves empty; a missing object is
// no error, as in S3.
func (s s3Store) deleteObject(bucket, key string) error {
	if !s.enabled() {
		return nil
	}
	p, err := s.objectPath(bucket, key)
	if err != nil {
		// A bucket already gone took its objects with it.
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	d, _ := s.bucketDir(bucket)
	for dir := filepath.Dir(p); dir != d && strings.HasPrefix(dir, d); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	return nil
}

// publicAccessBlock is a bucket's Block Public Access configuration.
type publicAccessBlock struct {
	BlockPublicAcls       bool `json:"blockPublicAcls"`
	BlockPublicPolicy     bool `json:"blockPublicPolicy"`
	IgnorePublicAcls      bool `json:"ignorePublicAcls"`
	RestrictPublicBuckets bool `json:"restrictPublicBuckets"`
}

// putPublicAccessBlock records the configuration.
func (s s3Store) putPublicAccessBlock(bucket string, b publicAccessBlock) error {
	if !s.enabled() {
		return nil
	}
	d, err := s.existingBucket(bucket)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d, PublicAccessBlockFile), append(data, '\n'), 0o600)
}

// deletePublicAccessBlock removes the configuration, leaving nothing blocked.
func (s s3Store) deletePublicAccessBlock(bucket string) error {
	return s.removeSetting(bucket, PublicAccessBlockFile)
}

// publicPolicyBlocked reports whether the bucket's Block Public Access settings refuse
// a public policy.
func (s s3Store) publicPolicyBlocked(bucket string) (bool, error) {
	if !s.enabled() {
		return false, nil
	}
	d, err := s.existingBucket(bucket)
	if err != nil {
		return false, err
	}
	data, err := os.ReadFile(filepath.Join(d, PublicAccessBlockFile)) //nolint:gosec // path built from a checked bucket name
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var b publicAccessBlock
	if err := json.Unmarshal(data, &b); err != nil {
		return false, err
	}
	return b.BlockPublicPolicy, nil
}

// putPolicy records the bucket policy.
func (s s3Store) putPolicy(bucket, policy string) error {
	if !s.enabled() {
		return nil
	}
	d, err := s.existingBucket(bucket)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d, PolicyFile), []byte(policy), 0o600)
}

// deletePolicy removes the bucket policy.
func (s s3Store) deletePolicy(bucket string) error {
	return s.removeSetting(bucket, PolicyFile)
}

// removeSetting removes a settings file; a missing bucket or file is no error.
func (s s3Store) removeSetting(bucket, file string) error {
	if !s.enabled() {
		return nil
	}
	d, err := s.bucketDir(bucket)
	if err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(d, file)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// isPublicPolicy reports whether a bucket policy grants anything to everyone: an Allow
// statement whose principal is "*" or {"AWS": "*"}. S3 refuses such a policy while
// BlockPublicPolicy is on.
func isPublicPolicy(policy string) bool {
	var doc struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return false
	}
	type statement struct {
		Effect    string          `json:"Effect"`
		Principal json.RawMessage `json:"Principal"`
	}
	var statements []statement
	if json.Unmarshal(doc.Statement, &statements) != nil {
		var one statement
		if json.Unmarshal(doc.Statement, &one) != nil {
			return false
		}
		statements = []statement{one}
	}
	for _, st := range statements {
		if st.Effect != "Allow" {
			continue
		}
		if everyone(st.Principal) {
			return true
		}
		var byType map[string]json.RawMessage
		if json.Unmarshal(st.Principal, &byType) == nil && everyone(byType["AWS"]) {
			return true
		}
	}
	return false
}

// everyone reports whether a principal value is "*" or a list holding "*".
func everyone(raw json.RawMessage) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == "*"
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		for _, p := range many {
			if p == "*" {
				return true
			}
		}
	}
	return false
}

// distributionRecord is what a test server needs of a distribution.
type distributionRecord struct {
	ID         string         `json:"id"`
	ARN        string         `json:"arn"`
	DomainName string         `json:"domainName"`
	Aliases    []string       `json:"aliases"`
	Origins    []originRecord `json:"origins"`
}

// originRecord is one origin of a distribution.
type originRecord struct {
	OriginID   string `json:"originId"`
	DomainName string `json:"domainName"`
	OriginPath string `json:"originPath"`
}

// distributionPath is the record file of a distribution, refusing ids that would leave
// the folder.
func (s s3Store) distributionPath(id string) (string, error) {
	if id == "" || strings.ContainsAny(id, `/\.`) {
		return "", fmt.Errorf("the stand-in cannot record distribution %q", id)
	}
	return filepath.Join(s.dir, DistributionDir, id+".json"), nil
}

// putDistribution records a distribution.
func (s s3Store) putDistribution(d distributionRecord) error {
	if !s.enabled() {
		return nil
	}
	p, err := s.distributionPath(d.ID)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return err
	}
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(p, append(data, '\n'), 0o600)
}

// deleteDistribution removes a distribution's record.
func (s s3Store) deleteDistribution(id string) error {
	if !s.enabled() {
		return nil
	}
	p, err := s.distributionPath(id)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// observeObject reads an object back as the provider's Read does: gone when S3 has no
// such object (or bucket), else its ETag from the stored bytes.
func (s s3Store) observeObject(r *standin.Request) (standin.Observed, error) {
	if !s.enabled() {
		return standin.Observed{}, nil
	}
	bucket, key := bucketOf(r.OldOutputs), standin.StringOr(r.OldOutputs, "key", r.ID)
	if _, err := s.existingBucket(bucket); err != nil {
		return standin.Observed{Gone: true}, nil //nolint:nilerr // NoSuchBucket: the object is gone
	}
	p, err := s.objectPath(bucket, key)
	if err != nil {
		return standin.Observed{}, err
	}
	content, err := os.ReadFile(p) //nolint:gosec // a file of the stand-in's own directory
	if errors.Is(err, fs.ErrNotExist) {
		return standin.Observed{Gone: true}, nil
	}
	if err != nil {
		return standin.Observed{}, err
	}
	sum := md5.Sum(content) //nolint:gosec // S3's ETag, not a security measure
	seen := standin.Observed{Outputs: resource.PropertyMap{}}
	standin.Set(seen.Outputs, "etag", hex.EncodeToString(sum[:]))
	return seen, nil
}
