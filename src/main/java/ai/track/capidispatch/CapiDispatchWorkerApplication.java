package ai.track.capidispatch;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class CapiDispatchWorkerApplication {
    public static void main(String[] args) {
        SpringApplication.run(CapiDispatchWorkerApplication.class, args);
    }
}
