package io.github.eksairsa.tests;

import static io.github.eksairsa.tests.SdkTest.REPO_ROOT;
import static io.github.eksairsa.tests.SdkTest.fixture;
import static io.github.eksairsa.tests.SdkTest.only;
import static io.github.eksairsa.tests.SdkTest.runUnderMocks;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import com.pulumi.test.PulumiTest;
import io.github.eksairsa.eksairsa.EksaIrsa;
import io.github.eksairsa.eksairsa.EksaIrsaArgs;
import io.github.eksairsa.eksairsa.IssuerBucket;
import io.github.eksairsa.eksairsa.IssuerBucketArgs;
import io.github.eksairsa.eksairsa.ServiceAccountRole;
import io.github.eksairsa.eksairsa.ServiceAccountRoleArgs;
import io.github.eksairsa.eksairsa.enums.Hosting;
import io.github.eksairsa.eksairsa.enums.PriceClass;
import io.github.eksairsa.eksairsa.enums.WebhookTLS;
import io.github.eksairsa.eksairsa.inputs.IssuerArgs;
import io.github.eksairsa.eksairsa.inputs.IssuerDomainArgs;
import io.github.eksairsa.eksairsa.inputs.RoleArgs;
import io.github.eksairsa.eksairsa.inputs.TrustArgs;
import io.github.eksairsa.eksairsa.inputs.WebhookArgs;
import io.github.eksairsa.eksairsa.outputs.IssuerTrust;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the platform program of tests/sdk (an IssuerBucket "issuers", an EksaIrsa "staging"
 * publishing into it through its outputs, and a ServiceAccountRole "reporting" trusting
 * staging through its trust output and a second cluster by literal values) with the Java
 * SDK under mocks, and records the components' wire inputs by name for
 * provider/sdk_platform_replay_test.go.
 *
 * <p>One difference from the other languages: pulumi-java's generator types a plain map
 * whose values take outputs (roles.*.policies, policies) as Map&lt;String, String&gt;, so a
 * Java program passes the policy ARN as a known string there.
 */
class PlatformTest {
    static final String PROD_HOST_PATH = "s3.eu-central-1.amazonaws.com/prod-irsa-20261127000000000000000001";
    static final String REPORTS_BUCKET_POLICY = "arn:aws:iam::123456789012:policy/reports-bucket";
    static final String SEND_REPORTS = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"sqs:SendMessage\",\"Resource\":\"*\"}]}";

    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    static void platformProgram() throws IOException {
        var issuers = new IssuerBucket("issuers", IssuerBucketArgs.builder()
                .prefixes("staging", "prod")
                .hosting(Hosting.CloudFront)
                .priceClass(PriceClass.PriceClassAll)
                .domain(IssuerDomainArgs.builder()
                        .name("oidc.example.com")
                        .certificateArn("arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d")
                        .zoneId("Z0123456789ABCDEFGHIJ")
                        .build())
                .tags(Map.of("team", "platform"))
                .build());
        var staging = new EksaIrsa("staging", EksaIrsaArgs.builder()
                .clusterName("staging")
                .signingKeys(fixture("ec-p256.pem"))
                .issuer(IssuerArgs.builder()
                        .bucketName(issuers.bucketName())
                        .createBucket(false)
                        .keyPrefix("staging")
                        .url(issuers.issuerUrls().applyValue(urls -> urls.get("staging")))
                        .build())
                .roles(Map.of(
                        "reporting", RoleArgs.builder()
                                .serviceAccounts("apps/reporting")
                                .policies(Map.of("reports-bucket", REPORTS_BUCKET_POLICY))
                                .stsRegionalEndpoints(true)
                                .tokenExpiration(3600)
                                .build(),
                        "external-dns", RoleArgs.builder()
                                .serviceAccounts("kube-system/external-dns")
                                .policyArns("arn:aws:iam::123456789012:policy/route53-change-records")
                                .webhookConfigMap(true)
                                .build()))
                .webhook(WebhookArgs.builder().tls(WebhookTLS.CertManager).serviceAccountLookupGracePeriod("2s").build())
                .trustPolicyMaxLength(4096)
                .build());
        new ServiceAccountRole("reporting", ServiceAccountRoleArgs.builder()
                .trusts(
                        TrustArgs.builder()
                                .oidcProviderArn(staging.trust().applyValue(IssuerTrust::oidcProviderArn))
                                .issuerHostPath(staging.trust().applyValue(IssuerTrust::issuerHostPath))
                                .serviceAccounts("apps/reporting")
                                .build(),
                        TrustArgs.builder()
                                .oidcProviderArn("arn:aws:iam::123456789012:oidc-provider/" + PROD_HOST_PATH)
                                .issuerHostPath(PROD_HOST_PATH)
                                .serviceAccounts("apps/reporting", "batch/*")
                                .audiences("sts.amazonaws.com")
                                .build())
                .policyArns("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
                .policies(Map.of("reports-bucket", REPORTS_BUCKET_POLICY))
                .inlinePolicies(Map.of("send-reports", SEND_REPORTS))
                .maxSessionDuration(7200)
                .permissionsBoundary("arn:aws:iam::123456789012:policy/boundary")
                .path("/shared/")
                .description("reporting in every cluster")
                .stsRegionalEndpoints(false)
                .tokenExpiration(3600)
                .trustPolicyMaxLength(4096)
                .tags(Map.of("team", "platform"))
                .build());
    }

    /** The webhook TLS modes are typed constants whose wire values are the strings. */
    @Test
    void webhookTlsConstantsAreTheWireStrings() {
        assertEquals("generated", WebhookTLS.Generated.getValue());
        assertEquals("certManager", WebhookTLS.CertManager.getValue());
    }

    @Test
    void theJavaSdkSendsThePlatformProgramInputs() throws Exception {
        var stagingTrust = Map.<String, Object>of(
                "oidcProviderArn", "arn:aws:iam::123456789012:oidc-provider/oidc.example.com/staging",
                "issuerHostPath", "oidc.example.com/staging");
        var issuerBucketOutputs = Map.<String, Object>of(
                "bucketName", "issuers-irsa-20261127000000000000000001",
                "issuerUrls", Map.of("staging", "https://oidc.example.com/staging", "prod", "https://oidc.example.com/prod"));
        var monitor = runUnderMocks(Map.of(
                        "eksa-irsa:index:EksaIrsa", Map.of("trust", stagingTrust),
                        "eksa-irsa:index:IssuerBucket", issuerBucketOutputs),
                PlatformTest::platformProgram);

        var recorded = Struct.newBuilder();
        for (var type : new String[] {
                "eksa-irsa:index:IssuerBucket", "eksa-irsa:index:EksaIrsa", "eksa-irsa:index:ServiceAccountRole"}) {
            var r = only(monitor, type);
            recorded.putFields(r.getName(), Value.newBuilder().setStructValue(r.getObject()).build());
        }
        var out = REPO_ROOT.resolve("tests/sdk/recorded/java-platform.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, JsonFormat.printer().print(recorded.build()) + "\n");
    }
}
