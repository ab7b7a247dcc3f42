package dev.crossbar.conformance.arch;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAnnotation;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaEnumConstant;
import dev.crossbar.api.DType;
import dev.crossbar.spi.Cell;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/** Reads {@link Kernel} annotations from imported class files, without loading the classes. */
final class KernelDeclarations {
    /** Classes carrying one {@code @Kernel} or several (compiled into the {@link Kernel.List} container). */
    static final DescribedPredicate<JavaClass> KERNEL_CLASSES = DescribedPredicate.describe("annotated with @Kernel",
            c -> c.isAnnotatedWith(Kernel.class.getName()) || c.isAnnotatedWith(Kernel.List.class.getName()));

    private KernelDeclarations() {
    }

    /** One {@code @Kernel} annotation: an op and its element types. */
    record Declaration(Op op, List<DType> dtypes) {
    }

    static List<Declaration> declarationsOf(JavaClass type) {
        List<JavaAnnotation<JavaClass>> annotations = new ArrayList<>();
        type.tryGetAnnotationOfType(Kernel.class.getName()).ifPresent(annotations::add);
        type.tryGetAnnotationOfType(Kernel.List.class.getName()).ifPresent(list -> {
            for (Object nested : (Object[]) list.get("value").orElseThrow()) {
                @SuppressWarnings("unchecked")
                JavaAnnotation<JavaClass> kernel = (JavaAnnotation<JavaClass>) nested;
                annotations.add(kernel);
            }
        });
        List<Declaration> declarations = new ArrayList<>();
        for (JavaAnnotation<JavaClass> a : annotations) {
            Op op = Op.valueOf(((JavaEnumConstant) a.get("op").orElseThrow()).name());
            List<DType> dtypes = new ArrayList<>();
            for (Object d : (Object[]) a.get("dtypes").orElseThrow()) {
                dtypes.add(DType.valueOf(((JavaEnumConstant) d).name()));
            }
            declarations.add(new Declaration(op, dtypes));
        }
        return declarations;
    }

    static SortedSet<Cell> cellsOf(JavaClass type) {
        SortedSet<Cell> cells = new TreeSet<>();
        for (Declaration d : declarationsOf(type)) {
            for (DType dtype : d.dtypes()) {
                cells.add(new Cell(d.op(), dtype));
            }
        }
        return cells;
    }
}
