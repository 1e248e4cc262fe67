package io.github.eksairsa.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.protobuf.util.JsonFormat;
import com.pulumi.core.Output;
import com.pulumi.resources.Resource;
import com.pulumi.test.Mocks;
import com.pulumi.test.PulumiTest;
import com.pulumi.test.TestOptions;
import com.pulumi.test.internal.MockMonitor;
import com.pulumi.test.internal.PulumiTestInternal;
import io.github.eksairsa.eksairsa.EksaIrsa;
import io.github.eksairsa.eksairsa.EksaIrsaArgs;
import io.github.eksairsa.eksairsa.enums.ServiceAccountMode;
import io.github.eksairsa.eksairsa.inputs.HostedZonesPresetArgs;
import io.github.eksairsa.eksairsa.inputs.IssuerArgs;
import io.github.eksairsa.eksairsa.inputs.OidcProviderArgs;
import io.github.eksairsa.eksairsa.inputs.RoleArgs;
import io.github.eksairsa.eksairsa.inputs.RolePresetsArgs;
import io.github.eksairsa.eksairsa.inputs.WebhookArgs;
import io.github.eksairsa.eksairsa.inputs.WebhookImageArgs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import pulumirpc.Resource.RegisterResourceRequest;
import pulumirpc.Resource.RegisterResourceResponse;

/**
 * Runs the shared program of tests/sdk with the Java SDK under Pulumi Java's mocks and
 * records the inputs the SDK sends for the component, in Pulumi's wire form, for
 * provider/sdk_replay_test.go to compare and replay.
 */
class SdkTest {
    static final String COMPONENT_TYPE = "eksa-irsa:index:EksaIrsa";
    static final String ISSUER = "https://s3.eu-central-1.amazonaws.com/prod-irsa/clusters/prod";
    static final String PLUGIN_SERVER = "github://api.github.com/eksa-irsa/pulumi-eksa-irsa";
    static final Path REPO_ROOT = Path.of("").toAbsolutePath().getParent().getParent();

    /** The inline policy of the shared program, byte for byte as the other languages serialize it. */
    static final String ROUTE53_CHANGES = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"route53:ChangeResourceRecordSets\",\"Resource\":\"arn:aws:route53:::hostedzone/*\"}]}";

    static String fixture(String name) throws IOException {
        return Files.readString(REPO_ROOT.resolve("internal/signingkey/testdata").resolve(name));
    }

    /** The shared program, written with the Java SDK. */
    static EksaIrsa program() throws IOException {
        return new EksaIrsa("prod", EksaIrsaArgs.builder()
                .clusterName("prod")
                .signingKeys(Output.all(Output.ofSecret(fixture("rsa2048.pem")), Output.of(fixture("ec-p256.pem"))))
                .legacyKeyWithoutKid(false)
                .issuer(IssuerArgs.builder().keyPrefix("clusters/prod").build())
                .oidcProvider(OidcProviderArgs.builder().audiences("sts.amazonaws.com").build())
                .roles(Map.of(
                        "reporting", RoleArgs.builder()
                                .serviceAccounts("apps/reporting")
                                .policyArns("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
                                .maxSessionDuration(7200)
                                .build(),
                        "external-dns", RoleArgs.builder()
                                .serviceAccounts("kube-system/external-dns")
                                .inlinePolicies(Map.of("route53-changes", ROUTE53_CHANGES))
                                .path("/irsa/")
                                .description("external-dns updates DNS records")
                                .name("prod-external-dns")
                                .presets(RolePresetsArgs.builder()
                                        .externalDns(HostedZonesPresetArgs.builder()
                                                .hostedZoneArns("arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ")
                                                .build())
                                        .build())
                                .serviceAccount(ServiceAccountMode.Create)
                                .build()))
                .webhook(WebhookArgs.builder()
                        .namespace("irsa-system")
                        .replicas(3)
                        .tokenExpiration(3600)
                        .image(WebhookImageArgs.builder().registry("registry.example.com").build())
                        .values(Map.of("nodeSelector", Map.of("kubernetes.io/os", "linux")))
                        .build())
                .tags(Map.of("team", "platform"))
                .build());
    }

    /**
     * The test monitor of Pulumi Java, keeping each registration request as the SDK sent
     * it: the mocks themselves only see deserialized inputs, without secret markers.
     */
    static final class RecordingMonitor extends MockMonitor {
        final List<RegisterResourceRequest> requests = Collections.synchronizedList(new ArrayList<>());

        RecordingMonitor(Mocks mocks) {
            super(mocks, PulumiTestInternal.mockLog());
        }

        @Override
        public CompletableFuture<RegisterResourceResponse> registerResourceAsync(Resource resource, RegisterResourceRequest request) {
            requests.add(request);
            return super.registerResourceAsync(resource, request);
        }
    }

    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    /** A program body that may read fixtures. */
    interface Program {
        void run() throws IOException;
    }

    /**
     * Runs a program under mocks whose state for each resource is its inputs plus what
     * extraState gives for its type, and returns the registrations as the SDK sent them.
     */
    static RecordingMonitor runUnderMocks(Map<String, Map<String, Object>> extraState, Program program) {
        Mocks mocks = args -> {
            var state = new HashMap<String, Object>(args.inputs);
            state.putAll(extraState.getOrDefault(args.type, Map.of()));
            return CompletableFuture.completedFuture(Mocks.ResourceResult.of(Optional.of(args.name + "-id"), state));
        };
        var monitor = new RecordingMonitor(mocks);
        var test = PulumiTestInternal.builder()
                .options(TestOptions.builder().projectName("proj").stackName("stack").preview(false).build())
                .mocks(mocks)
                .monitorDecorator(unused -> monitor)
                .build();
        test.runTest(ctx -> {
            try {
                program.run();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }).throwOnError();
        return monitor;
    }

    /** The one registration of a type, as the SDK sent it. */
    static RegisterResourceRequest only(RecordingMonitor monitor, String type) {
        var registered = monitor.requests.stream().filter(r -> type.equals(r.getType())).toList();
        assertEquals(1, registered.size(), "exactly one " + type + " registered");
        var r = registered.get(0);
        assertFalse(r.getCustom(), type + " is a component");
        assertTrue(r.getRemote(), type + " is constructed by the provider");
        return r;
    }

    @Test
    void theJavaSdkSendsTheProgramInputs() throws Exception {
        var issuerUrl = new ArrayList<Output<String>>();
        var monitor = runUnderMocks(Map.of(COMPONENT_TYPE, Map.of("issuerUrl", ISSUER)),
                () -> issuerUrl.add(program().issuerUrl()));

        var c = only(monitor, COMPONENT_TYPE);
        assertEquals("prod", c.getName());
        assertTrue(c.getObject().getFieldsMap().get("signingKeys").hasStructValue(),
                "a secret key stays secret on the wire");
        assertEquals(ISSUER, PulumiTest.extractValue(issuerUrl.get(0)), "outputs come back typed");

        var out = REPO_ROOT.resolve("tests/sdk/recorded/java.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, JsonFormat.printer().print(c.getObject()) + "\n");
    }

    /**
     * What pulumi-language-java runs to learn which plugins a program needs: the SDK's jar
     * must name the eksa-irsa plugin, its version and the server to download it from.
     */
    @Test
    void theJavaLanguageHostFindsThePluginAndItsDownloadServer() {
        var stdout = System.out;
        var captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            com.pulumi.bootstrap.internal.Main.main(new String[] {"packages"});
        } finally {
            System.setOut(stdout);
        }
        var packages = new Gson().fromJson(captured.toString(StandardCharsets.UTF_8), JsonArray.class);
        JsonObject eksaIrsa = null;
        for (var p : packages) {
            var o = p.getAsJsonObject();
            if (o.has("name") && "eksa-irsa".equals(o.get("name").getAsString())) {
                assertTrue(eksaIrsa == null, "eksa-irsa listed twice: " + packages);
                eksaIrsa = o;
            }
        }
        assertTrue(eksaIrsa != null, "eksa-irsa not among the packages on the class path: " + packages);
        var version = System.getProperty("eksa-irsa.version");
        assertTrue(eksaIrsa.get("resource").getAsBoolean());
        assertEquals(version, eksaIrsa.get("version").getAsString());
        assertEquals(PLUGIN_SERVER, eksaIrsa.get("server").getAsString());
    }

    @Test
    void theJarCarriesLicenseAndReadme() throws IOException {
        var loader = EksaIrsa.class.getClassLoader();
        try (var license = loader.getResourceAsStream("META-INF/LICENSE");
             var readme = loader.getResourceAsStream("META-INF/README.md")) {
            assertTrue(license != null && readme != null, "LICENSE and README.md under META-INF");
            assertTrue(new String(license.readAllBytes(), StandardCharsets.UTF_8).contains("Apache License"));
            assertTrue(new String(readme.readAllBytes(), StandardCharsets.UTF_8).contains("<artifactId>eksa-irsa</artifactId>"));
        }
        var jar = EksaIrsa.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        assertTrue(jar.endsWith(".jar") && jar.contains("/io/github/eksa-irsa/eksa-irsa/"),
                "the SDK comes from the installed jar, not from a source tree: " + jar);
    }
}
