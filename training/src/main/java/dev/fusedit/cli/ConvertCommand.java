package dev.fusedit.cli;

import dev.fusedit.model.pipeline.PipelineFolder;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.io.SafeTensorsFile;
import dev.fusedit.tensor.io.SafeTensorsWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

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
    private static final String WEIGHTS = "diffusion_pytorch_model.safetensors";

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
        Path transformer = folder.transformerDir(), inFolder = folder.root().relativize(transformer).resolve(WEIGHTS);
        Path weights = transformer.resolve(WEIGHTS);
        if (!Files.isRegularFile(weights)) throw new CliException(weights + ": no such file (convert reads single-file transformer weights)");
        if (Files.exists(out)) throw new CliException("--out " + out + " already exists; give a new folder");

        Path absolute = out.toAbsolutePath();
        Path partial = absolute.resolveSibling("." + absolute.getFileName() + ".partial");
        deleteTree(partial);
        copyTree(folder.root(), partial, weights);
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

    /** Copies the folder tree from into to, leaving out the file skip; links (a shared vae/) are copied as links. */
    private static void copyTree(Path from, Path to, Path skip) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                if (p.equals(skip)) continue;
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) Files.copy(p, dest, LinkOption.NOFOLLOW_LINKS);
                else if (Files.isDirectory(p)) Files.createDirectories(dest);
                else Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
