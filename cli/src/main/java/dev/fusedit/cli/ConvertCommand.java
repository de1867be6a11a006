package dev.fusedit.cli;

import dev.fusedit.model.pipeline.PipelineFolder;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.io.SafeTensorsFile;
import dev.fusedit.tensor.io.SafeTensorsWriter;
import dev.fusedit.tensor.io.FileTrees;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * `fusedit convert`: a copy of a pipeline folder with the transformer's floating-point weights
 * stored at another dtype, e.g. bfloat16 to halve a model for shipping (sampling reads BF16
 * weights with the BF16 kernels, or widens them). Everything else is copied as it is. The copy
 * is built in a hidden folder beside the target and renamed into place at the end, so an
 * interrupted run leaves no half-written model.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Copy a pipeline folder with its transformer weights stored as bf16, f16 or f32.")
final class ConvertCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "pipeline folder to read (model_index.json, transformer/, ...)")
    Path model;

    @Option(names = "--out", required = true, description = "folder to write; must not exist yet")
    Path out;

    @Option(names = "--dtype", required = true, description = "bf16, f16 or f32")
    String dtype;

    @Override
    public Integer call() throws IOException {
        DType target = switch (dtype.toLowerCase()) {
            case "bf16" -> DType.BF16;
            case "f16" -> DType.F16;
            case "f32" -> DType.F32;
            default -> throw new CliException("--dtype: expected bf16, f16 or f32, got " + dtype);
        };
        PipelineFolder folder = PipelineFolder.open(model);
        Path transformer = folder.transformerDir(), inFolder = folder.root().relativize(transformer).resolve(PipelineFolder.WEIGHTS_FILE);
        Path weights = transformer.resolve(PipelineFolder.WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) throw new CliException(weights + ": no such file (convert reads single-file transformer weights)");
        if (Files.exists(out)) throw new CliException("--out " + out + " already exists; give a new folder");

        Path absolute = out.toAbsolutePath();
        Path partial = absolute.resolveSibling("." + absolute.getFileName() + ".partial");
        FileTrees.delete(partial);
        FileTrees.copy(folder.root(), partial, weights);
        Path convertedWeights = partial.resolve(inFolder);
        long before = Files.size(weights);
        try (SafeTensorsFile in = SafeTensorsFile.open(weights)) {
            List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
            for (String name : in.names().stream().sorted().toList()) {
                DType stored = in.info(name).dtype();
                // integer tensors (none in our models, but a checkpoint may carry some) keep their type
                DType to = stored.isFloating() ? target : stored;
                entries.add(new SafeTensorsWriter.Entry(name, to, in.info(name).shape(), () -> in.get(name).to(to)));
            }
            SafeTensorsWriter.write(convertedWeights, entries, in.metadata());
        }
        try {
            Files.move(partial, absolute, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            throw new CliException("--out " + out + " appeared while converting; the copy is left in " + partial);
        }
        System.out.printf("wrote %s: transformer weights %s, %,d bytes (were %,d)%n", out, target.name().toLowerCase(),
                Files.size(absolute.resolve(inFolder)), before);
        return 0;
    }
}
