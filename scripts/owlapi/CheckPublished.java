import java.io.File;
import java.util.*;
import javax.xml.parsers.*;
import org.w3c.dom.*;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.profiles.*;
import org.semanticweb.owlapi.util.SimpleIRIMapper;
import org.semanticweb.owlapi.reasoner.*;
import org.semanticweb.HermiT.Reasoner;

/** Load ontology/examples.ttl through catalog-v001.xml with the OWL API (as Protégé does), check the
 *  OWL 2 DL profile of the imports closure, and run HermiT on it. Prints one line per finding. */
public class CheckPublished {
    public static void main(String[] args) throws Exception {
        File dir = new File(args[0]);
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        Document catalog = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new File(dir, "catalog-v001.xml"));
        NodeList uris = catalog.getElementsByTagName("uri");
        for (int i = 0; i < uris.getLength(); i++) {
            Element e = (Element) uris.item(i);
            manager.addIRIMapper(new SimpleIRIMapper(IRI.create(e.getAttribute("name")), IRI.create(new File(dir, e.getAttribute("uri")))));
        }
        OWLOntology examples = manager.loadOntology(IRI.create("https://w3id.org/citydiplomacy/examples"));
        System.out.println("loaded " + manager.getOntologies().size() + " ontologies, " + examples.getImportsClosure().size() + " in the closure");
        int axiomAnnotations = 0;
        for (OWLAxiom ax : examples.getAxioms()) if (!ax.getAnnotations().isEmpty()) axiomAnnotations++;
        System.out.println("annotated axioms in examples: " + axiomAnnotations);
        OWLProfileReport report = new OWL2DLProfile().checkOntology(examples);
        System.out.println("OWL 2 DL violations: " + report.getViolations().size());
        for (OWLProfileViolation v : report.getViolations()) System.out.println("  " + v);
        OWLReasoner reasoner = new Reasoner.ReasonerFactory().createReasoner(examples);
        System.out.println("HermiT consistent: " + reasoner.isConsistent());
        System.out.println("unsatisfiable: " + reasoner.getUnsatisfiableClasses().getEntitiesMinusBottom());
    }
}
