package dev.fusedit.cli;

import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * --set SECTION.KEY=VALUE, repeatable, for the commands that read a training YAML (train, bench
 * train-step, bench denoise-step): any key of the file, the value read as YAML and checked by the
 * config reader by name like a key written in the file.
 */
final class ConfigOverridesOption {
    @Option(names = "--set", paramLabel = "SECTION.KEY=VALUE",
            description = "override a key of the training YAML (repeatable; the value is read as YAML), e.g. --set model.pos_embed=1d-rope --set trainer.logit_mean=0")
    List<String> overrides = new ArrayList<>();
}
