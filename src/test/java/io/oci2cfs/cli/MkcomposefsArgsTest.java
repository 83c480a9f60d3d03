package io.oci2cfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** The arguments mkcomposefs reads without picocli mean what picocli makes of them; the rest goes to picocli. */
class MkcomposefsArgsTest {
    @Test
    void knowsExactlyTheOptionsOfThePicocliModel() {
        CommandLine.Model.CommandSpec spec = new CommandLine(new MkcomposefsCommand()).getCommandSpec();
        List<String> flags = new ArrayList<>();
        List<String> valued = new ArrayList<>();
        for (CommandLine.Model.OptionSpec o : spec.options()) {
            assertThat(o.names()).hasSize(1);
            (o.arity().max() == 0 ? flags : valued).add(o.longestName());
        }
        assertThat(flags).containsExactlyInAnyOrderElementsOf(MkcomposefsArgs.FLAGS);
        assertThat(valued).containsExactlyInAnyOrderElementsOf(MkcomposefsArgs.VALUED);
        assertThat(spec.positionalParameters()).hasSize(2);
    }

    static Stream<List<String>> plain() {
        return Stream.of(
                List.of("mkcomposefs", "--from-file", "a.dump", "out.cfs"),
                List.of("mkcomposefs", "dir", "out.cfs", "--from-file"),
                List.of("mkcomposefs", "--from-file", "-", "-"),
                List.of("mkcomposefs", "--from-file", "a.dump", "--print-digest-only"),
                List.of("mkcomposefs", "--digest-store=objs", "--threads", "3", "dir", "--print-digest", "o.cfs"),
                List.of("mkcomposefs", "--digest-store", "objs", "--threads=12", "--hardlinks", "dir", "o.cfs"),
                List.of("mkcomposefs", "--min-version=0", "--max-version", "1", "--use-epoch", "--skip-devices",
                        "--skip-xattrs", "--user-xattrs", "d", "o"),
                List.of("mkcomposefs", "only-a-source"));
    }

    @ParameterizedTest
    @MethodSource("plain")
    void readsPlainArgumentsAsPicocliDoes(List<String> args) {
        MkcomposefsCommand fast = MkcomposefsArgs.parse(args.toArray(String[]::new));
        MkcomposefsCommand viaPicocli = new MkcomposefsCommand();
        new CommandLine(viaPicocli).parseArgs(args.subList(1, args.size()).toArray(String[]::new));
        assertThat(fast).isNotNull();
        assertThat(fast).usingRecursiveComparison().isEqualTo(viaPicocli);
    }

    static Stream<List<String>> leftToPicocli() {
        return Stream.of(
                List.of("mkcomposefs"),
                List.of("mkcomposefs", "--help"),
                List.of("mkcomposefs", "-h", "x"),
                List.of("mkcomposefs", "a", "b", "c"),
                List.of("mkcomposefs", "--from-file", "--from-file", "a", "b"),
                List.of("mkcomposefs", "--from-file=true", "a", "b"),
                List.of("mkcomposefs", "--bogus", "a", "b"),
                List.of("mkcomposefs", "--", "a", "b"),
                List.of("mkcomposefs", "@args"),
                List.of("mkcomposefs", "", "b"),
                List.of("mkcomposefs", "a", "b", "--threads"),
                List.of("mkcomposefs", "a", "b", "--threads", "-1"),
                List.of("mkcomposefs", "a", "b", "--threads=010"),
                List.of("mkcomposefs", "a", "b", "--threads=0x2"),
                List.of("mkcomposefs", "a", "b", "--threads=+2"),
                List.of("mkcomposefs", "a", "b", "--threads=two"),
                List.of("mkcomposefs", "a", "b", "--digest-store="),
                List.of("mkcomposefs", "a", "b", "--digest-store=x\0y"),
                List.of("convert", "a", "b"));
    }

    @ParameterizedTest
    @MethodSource("leftToPicocli")
    void leavesEverythingElseToPicocli(List<String> args) {
        assertThat(MkcomposefsArgs.parse(args.toArray(String[]::new))).isNull();
    }
}
