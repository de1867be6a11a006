package dev.fusedit.tornado.plan;

import dev.fusedit.layers.Conv2d;
import dev.fusedit.layers.Parameter;
import dev.fusedit.layers.RopeTables;
import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.model.fusedit.FuseDiTConfig;
import dev.fusedit.model.fusedit.FusionLayout;
import dev.fusedit.model.fusedit.TextContext;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tornado.DeviceContext;
import dev.fusedit.tornado.kernels.DevicePlan;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * FuseDiT's DiT stream as one TornadoVM execution plan for one input shape (batch, patch grid,
 * text length), with the computation of {@link FuseDiT#velocity} for the variants that
 * {@link #unsupportedReason} accepts (self attention over [text ; image], RoPE, no timestep
 * modulation: the paper's final recipe). Its task graphs, in plan order:
 * <pre>
 *   0          embed:   patch vectors in (every execution) → x = patches·W_peᵀ + b
 *   1 + 2i     text i:  this prompt batch's keys and values of layer i, the image-rows mask and
 *                       the image RoPE tables in; keys and values placed as the text rows of
 *                       layer i's [text ; image] key and value buffers
 *   2 + 2i     block i: DiT layer i on x (norms, q/k/v, qk-norm, RoPE, attention over
 *                       [text ; image], o_proj, residual, GeGLU MLP, residual)
 *   1 + 2L     head:    norm_out, proj_out → the patch-space velocity out (every execution)
 * </pre>
 * Every weight, dims and scalar array is sent on its graph's first execution only
 * ({@code FIRST_EXECUTION}) and stays on the device. x, the mask, the RoPE tables and one set of
 * scratch arrays pass from graph to graph on the device (persistOnDevice / consumeFromDevice;
 * the first text graph makes the mask and tables, block 0 the scratch arrays), and each text
 * graph hands its block the [text ; image] key and value buffers. A step runs embed, block
 * 0..L−1, head; a step with a new text context runs text i just before block i. A graph takes
 * what it consumes from the graph that ran just before it (TornadoVM links the device buffers
 * then and keeps them linked), and each block names both its possible predecessors, so both
 * orders chain.
 */
public final class FuseDiTGraphs implements AutoCloseable {

    /** The input shape a plan is built for. */
    record Shape(int batch, int gridH, int gridW, int textLength) {}

    /** Bytes moved by the graphs of the last step, as TornadoVM's profiler counted them (-1 when not profiling). */
    public record Transfers(long toDevice, long toHost) {}

    final Shape shape;
    private final int tokens, layers;
    private final FloatArray patchesIn, velocityOut;
    private final List<FloatArray> textKeys = new ArrayList<>(), textValues = new ArrayList<>();
    private final FloatArray maskIn, cosIn, sinIn;
    private final TornadoExecutionPlan plan;
    private final int[] taskCounts;
    private final boolean profile;
    private TextContext uploaded;
    private Transfers lastTransfers = new Transfers(-1, -1);

    /** Null when the per-block graphs compute this model's forward; otherwise why not. */
    static String unsupportedReason(FuseDiTConfig c) {
        if (c.attention() != FuseDiTConfig.AttentionKind.SELF) return "attention \"" + c.attention() + "\" (only self attention over [text ; image] runs as block graphs)";
        if (c.timestepConditioning() != FuseDiTConfig.TimestepConditioning.NONE)
            return "timestep_conditioning " + c.timestepConditioning() + " (only the unconditioned final recipe runs as block graphs)";
        if (c.posEmbed() == FuseDiTConfig.PosEmbed.APE) return "pos_embed ape (block graphs rotate with RoPE)";
        if (c.textModulationEmbedsDim() > 0) return "text modulation embeddings";
        if (c.ditNumHiddenLayers() == 0) return "no DiT layers";
        if (c.longSkips() || c.outputConv()) return "long_skips / output_conv (this project's additions run kernel by kernel)";
        return null;
    }

    FuseDiTGraphs(FuseDiT model, Shape shape, DeviceContext device, boolean profile) {
        FuseDiTConfig c = model.config;
        String unsupported = unsupportedReason(c);
        if (unsupported != null) throw new IllegalArgumentException("this FuseDiT cannot run as block graphs: " + unsupported);
        this.shape = shape;
        this.profile = profile;
        var base = c.base();
        int b = shape.batch(), p = c.patchSize();
        tokens = shape.gridH() * shape.gridW();
        int hidden = c.ditHiddenSize(), patchIn = c.inChannels() * p * p, patchOut = c.outChannels() * p * p;
        layers = model.dit.layers.size();
        int rows = b * tokens, heads = base.numAttentionHeads(), kvHeads = base.numKeyValueHeads(), headDim = base.headDim();
        int text = shape.textLength(), joint = text + tokens, kvWidth = kvHeads * headDim;
        // One RoPE table per sample (FusionLayout may share one; stageText expands it).
        int cosBatches = b;

        patchesIn = new FloatArray(rows * patchIn);
        velocityOut = new FloatArray(rows * patchOut);
        maskIn = new FloatArray(b * tokens * joint);
        cosIn = new FloatArray(cosBatches * tokens * headDim);
        sinIn = new FloatArray(cosBatches * tokens * headDim);
        FloatArray x = new FloatArray(rows * hidden);

        List<TaskGraphBuilder> graphs = new ArrayList<>();
        TaskGraphBuilder embed = new TaskGraphBuilder("fuseditEmbed");
        Conv2d pe = model.dit.patchEmbed.proj;
        FloatArray peWeight = weights(pe.weight), peBias = weights(pe.bias);
        embed.everyExecution(patchesIn).resident(peWeight, peBias);
        embed.linear(rows, patchIn, hidden, patchesIn, peWeight, x);
        embed.addRowVector(rows, hidden, x, peBias);
        embed.persist(x);
        graphs.add(embed);

        // What the graphs hand on from one to the next (after the first text graph made mask, cos and sin):
        // x, the image-rows mask and RoPE tables, and one set of scratch arrays that every block reuses.
        DiTBlockTasks.Sizes sizes = new DiTBlockTasks.Sizes(b, tokens, text);
        DiTBlockTasks.Scratch scratch = DiTBlockTasks.Scratch.allocate(c, sizes);
        FloatArray mask = new FloatArray(maskIn.getSize()), cos = new FloatArray(cosIn.getSize()), sin = new FloatArray(sinIn.getSize());
        List<Object> carried = new ArrayList<>(List.of(x, mask, cos, sin));
        carried.addAll(List.of(scratch.arrays()));
        Object[] handedOn = carried.toArray();

        String previous = embed.name();
        for (int i = 0; i < layers; i++) {
            // The text graph: per prompt batch, what every step of block i reads.
            FloatArray keysIn = new FloatArray(b * text * kvWidth), valuesIn = new FloatArray(b * text * kvWidth);
            textKeys.add(keysIn);
            textValues.add(valuesIn);
            FloatArray jointK = new FloatArray(b * joint * kvWidth), jointV = new FloatArray(b * joint * kvWidth);
            TaskGraphBuilder textGraph = new TaskGraphBuilder("fuseditText" + i);
            if (i == 0) textGraph.consume(previous, x).everyExecution(maskIn, cosIn, sinIn);
            else textGraph.consume(previous, handedOn);
            textGraph.everyExecution(keysIn, valuesIn);
            textGraph.copyRows(b, text, joint, 0, kvWidth, keysIn, jointK);
            textGraph.copyRows(b, text, joint, 0, kvWidth, valuesIn, jointV);
            if (i == 0) {
                textGraph.copyRows(1, 1, 1, 0, maskIn.getSize(), maskIn, mask);
                textGraph.copyRows(1, 1, 1, 0, cosIn.getSize(), cosIn, cos);
                textGraph.copyRows(1, 1, 1, 0, sinIn.getSize(), sinIn, sin);
                textGraph.persist(x, mask, cos, sin);
            } else {
                textGraph.persist(handedOn);
            }
            textGraph.persist(jointK, jointV);
            graphs.add(textGraph);

            TaskGraphBuilder block = new TaskGraphBuilder("fuseditBlock" + i);
            // block 0 makes the scratch arrays; later blocks take them over with x
            block.consume(previous, i == 0 ? new Object[] {x} : handedOn);
            block.consume(textGraph.name(), i == 0 ? new Object[] {x, mask, cos, sin} : handedOn).consume(textGraph.name(), jointK, jointV);
            DiTBlockTasks.add(block, model.dit.layers.get(i), c, sizes, x, scratch, jointK, jointV, mask, cos, sin);
            block.persist(handedOn);
            graphs.add(block);
            previous = block.name();
        }

        TaskGraphBuilder head = new TaskGraphBuilder("fuseditHead");
        head.consume(previous, handedOn);
        DiTBlockTasks.norm(head, model.dit.normOut, rows, x, scratch.normed(), scratch.rstd());
        DiTBlockTasks.linear(head, model.dit.projOut, rows, scratch.normed(), velocityOut);
        head.toHost(velocityOut);
        graphs.add(head);

        GridScheduler scheduler = new GridScheduler();
        ImmutableTaskGraph[] snapshots = new ImmutableTaskGraph[graphs.size()];
        taskCounts = new int[graphs.size()];
        for (int g = 0; g < snapshots.length; g++) {
            taskCounts[g] = graphs.get(g).taskCount();
            graphs.get(g).addGridsTo(scheduler);
            snapshots[g] = graphs.get(g).graph().snapshot();
        }
        TornadoExecutionPlan built = new TornadoExecutionPlan(snapshots).withDevice(device.device()).withGridScheduler(scheduler)
                .withCompilerFlags(TornadoVMBackendType.OPENCL, DevicePlan.OPENCL_FLAGS);
        plan = profile ? built.withProfiler(ProfilerMode.SILENT) : built;
    }

    /** A parameter as a device array: widened to float32 on the host once (bfloat16 checkpoints included). */
    static FloatArray weights(Parameter p) {
        return FloatArray.fromArray(p.get().toFloatArray());
    }

    private static int embedGraph() {
        return 0;
    }

    private static int textGraph(int layer) {
        return 1 + 2 * layer;
    }

    private static int blockGraph(int layer) {
        return 2 + 2 * layer;
    }

    private int headGraph() {
        return 1 + 2 * layers;
    }

    /**
     * One forward: patch vectors [B·h·w, C·p·p] in, the patch-space velocity [B·h·w, C_out·p·p]
     * out (a view of this plan's output array, valid until the next call). {@code text} is sent
     * only when it is not the context of the previous call.
     */
    MemorySegment run(Tensor patchRows, TextContext text, FuseDiTConfig c) {
        MemorySegment.copy(patchRows.contiguous().data(), 0, patchesIn.getSegment(), 0, patchesIn.getSize() * (long) Float.BYTES);
        boolean newText = text != uploaded;
        if (newText) stageText(text, c);
        long in = 0, out = 0;
        List<Integer> order = new ArrayList<>();
        order.add(embedGraph());
        for (int i = 0; i < layers; i++) {
            if (newText) order.add(textGraph(i));
            order.add(blockGraph(i));
        }
        order.add(headGraph());
        for (int g : order) {
            TornadoExecutionResult r = plan.withGraph(g).execute();
            if (profile) {
                in += r.getProfilerResult().getTotalBytesCopyIn();
                out += r.getProfilerResult().getTotalBytesCopyOut();
            }
        }
        uploaded = text;
        lastTransfers = profile ? new Transfers(in, out) : new Transfers(-1, -1);
        return velocityOut.getSegment();
    }

    /** Kernel launches of a step (embed, blocks, head), without the text graphs. */
    int tasksPerStep() {
        int n = taskCounts[embedGraph()] + taskCounts[headGraph()];
        for (int i = 0; i < layers; i++) n += taskCounts[blockGraph(i)];
        return n;
    }

    Transfers lastTransfers() {
        return lastTransfers;
    }

    /** The text context's keys, values, image-rows mask and image RoPE tables into the text graphs' input arrays. */
    private void stageText(TextContext text, FuseDiTConfig c) {
        if (text.keys().size() != layers)
            throw new IllegalArgumentException("the text context holds " + text.keys().size() + " layers of keys, the model has " + layers);
        for (int i = 0; i < layers; i++) {
            copy(text.keys().get(i), textKeys.get(i), "text keys of layer " + i);
            copy(text.values().get(i), textValues.get(i), "text values of layer " + i);
        }
        copy(FusionLayout.imageRowsMask(text.attentionMask(), tokens, true), maskIn, "image-rows mask");
        RopeTables.CosSin rope = FusionLayout.imageRope(c, shape.gridH(), shape.gridW(), text.realTokens());
        Tensor cos = rope.cos(), sin = rope.sin();
        if (cos.size(0) != shape.batch()) {
            // One table shared by the batch: the kernel reads one table per sample here.
            cos = cos.expand(shape.batch(), cos.size(1), cos.size(2)).contiguous();
            sin = sin.expand(shape.batch(), sin.size(1), sin.size(2)).contiguous();
        }
        copy(cos, cosIn, "image RoPE cos");
        copy(sin, sinIn, "image RoPE sin");
    }

    private static void copy(Tensor t, FloatArray dst, String what) {
        if (t.numel() != dst.getSize())
            throw new IllegalArgumentException(what + ": " + t.numel() + " elements, the plan was built for " + dst.getSize());
        dst.getSegment().copyFrom(MemorySegment.ofArray(t.toFloatArray()));
    }

    @Override
    public void close() {
        DevicePlan.free(plan, "the FuseDiT plan");
    }
}
