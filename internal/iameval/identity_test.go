package iameval

import "testing"

func TestAllowsIdentityPolicy(t *testing.T) {
	doc := []byte(`{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::backups/*"},
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": ["arn:aws:s3:::backups"]},
    {"Effect": "Allow", "Action": "route53:ChangeResourceRecordSets", "Resource": "arn:aws:route53:::hostedzone/Z1",
     "Condition": {"ForAllValues:StringEquals": {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]},
                   "ForAllValues:StringLike": {"route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"]}}},
    {"Effect": "Allow", "Action": "logs:*", "Resource": "arn:aws:logs:us-west-2:123456789012:log-group:/eksa/*"},
    {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
     "Condition": {"StringEquals": {"cloudwatch:namespace": ["CWAgent", "ContainerInsights"]}}},
    {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::backups/*"}
  ]
}`)
	txt := map[string][]string{
		"route53:ChangeResourceRecordSetsRecordTypes":           {"TXT"},
		"route53:ChangeResourceRecordSetsNormalizedRecordNames": {"_acme-challenge.example.com"},
	}
	for _, tt := range []struct {
		name string
		req  ActionRequest
		want bool
	}{
		{"object in the bucket", ActionRequest{Action: "s3:GetObject", Resource: "arn:aws:s3:::backups/a/b"}, true},
		{"action names ignore case", ActionRequest{Action: "S3:getobject", Resource: "arn:aws:s3:::backups/a"}, true},
		{"object of another bucket", ActionRequest{Action: "s3:GetObject", Resource: "arn:aws:s3:::backups-old/a"}, false},
		{"the bucket itself is no object", ActionRequest{Action: "s3:GetObject", Resource: "arn:aws:s3:::backups"}, false},
		{"list the bucket", ActionRequest{Action: "s3:ListBucket", Resource: "arn:aws:s3:::backups"}, true},
		{"action not granted", ActionRequest{Action: "s3:PutBucketPolicy", Resource: "arn:aws:s3:::backups"}, false},
		{"resources are case-sensitive", ActionRequest{Action: "s3:GetObject", Resource: "arn:aws:s3:::Backups/a"}, false},
		{"TXT challenge", ActionRequest{Action: "route53:ChangeResourceRecordSets", Resource: "arn:aws:route53:::hostedzone/Z1", Context: txt}, true},
		{"A record", ActionRequest{Action: "route53:ChangeResourceRecordSets", Resource: "arn:aws:route53:::hostedzone/Z1", Context: map[string][]string{
			"route53:ChangeResourceRecordSetsRecordTypes":           {"TXT", "A"},
			"route53:ChangeResourceRecordSetsNormalizedRecordNames": {"_acme-challenge.example.com", "www.example.com"},
		}}, false},
		{"TXT outside _acme-challenge", ActionRequest{Action: "route53:ChangeResourceRecordSets", Resource: "arn:aws:route53:::hostedzone/Z1", Context: map[string][]string{
			"route53:ChangeResourceRecordSetsRecordTypes":           {"TXT"},
			"route53:ChangeResourceRecordSetsNormalizedRecordNames": {"example.com"},
		}}, false},
		{"TXT in another zone", ActionRequest{Action: "route53:ChangeResourceRecordSets", Resource: "arn:aws:route53:::hostedzone/Z2", Context: txt}, false},
		{"ForAllValues holds without the key, as IAM documents", ActionRequest{Action: "route53:ChangeResourceRecordSets", Resource: "arn:aws:route53:::hostedzone/Z1"}, true},
		{"action wildcard, stream below the group", ActionRequest{Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-west-2:123456789012:log-group:/eksa/app:log-stream:pod-1"}, true},
		{"log group of another prefix", ActionRequest{Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-west-2:123456789012:log-group:/other:log-stream:pod-1"}, false},
		{"metrics of a listed namespace", ActionRequest{Action: "cloudwatch:PutMetricData", Resource: "*", Context: map[string][]string{"cloudwatch:namespace": {"CWAgent"}}}, true},
		{"metrics of another namespace", ActionRequest{Action: "cloudwatch:PutMetricData", Resource: "*", Context: map[string][]string{"cloudwatch:namespace": {"AWS/EC2"}}}, false},
		{"metrics without the key", ActionRequest{Action: "cloudwatch:PutMetricData", Resource: "*"}, false},
		{"an explicit Deny wins over an Allow", ActionRequest{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::backups/a"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Allows(doc, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Allows(%+v) = %v, want %v", tt.req, got, tt.want)
			}
		})
	}
}

func TestAllowsRefusesWhatItCannotJudge(t *testing.T) {
	for name, doc := range map[string]string{
		"NotAction":        `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`,
		"NotResource":      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::a"}]}`,
		"other operator":   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"x"}}}]}`,
		"old version":      `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
		"multi single-key": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"k":"v"}}}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Allows([]byte(doc), ActionRequest{Action: "s3:GetObject", Resource: "arn:aws:s3:::a", Context: map[string][]string{"k": {"v", "w"}}})
			if err == nil {
				t.Error("judged a policy outside the model; want an error")
			}
		})
	}
}
