package dev.fusedit.cli;

import dev.fusedit.cli.study.Study;
import dev.fusedit.cli.study.StudyRunner;
import dev.fusedit.shapes.ShapesPromptFile;
import dev.fusedit.training.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `fusedit study -c studies/NAME.yaml --out DIR [--resume]`: variants × seeds trained one after another, scored on the shapes benchmark, reported. */
@Command(name = "study", mixinStandardHelpOptions = true,
        description = {"Run a study: each variant of a training config with each seed, one run after another, each scored on the shapes benchmark "
                + "at the listed steps; writes report.json, report.md, score.png, objects.png and samples.png into --out, the runs into --out/runs/.",
                "Killed, it continues with --resume, redoing no finished run or evaluation."})
final class StudyCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "study YAML (studies/NAME.yaml)")
    Path config;

    @Option(names = "--out", required = true, description = "the study folder: reports at its top, runs and checkpoints under runs/ "
            + "(e.g. docs/studies/NAME, whose runs/ git ignores)")
    Path out;

    @Option(names = "--resume", description = "finish the study in --out: skip the runs and evaluations it records as done")
    boolean resume;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "override a key of the study file (repeatable; the value is read as YAML), e.g. --set run.steps=200 --set 'seeds=[1]'")
    List<String> overrides = new ArrayList<>();

    @Mixin
    BackendOption backend = new BackendOption();

    @Override
    public Integer call() throws Exception {
        Study study = Study.read(config, overrides);
        backend.apply();
        Path prompts = study.eval().prompts() != null ? study.eval().prompts() : ModelLocator.inHome(ShapesPromptFile.DEFAULT);
        try {
            new StudyRunner(study, out, ShapesPromptFile.read(prompts)).run(resume);
        } catch (Trainer.TrainingDiverged e) {
            throw new CliException(e.getMessage());
        }
        return 0;
    }
}
